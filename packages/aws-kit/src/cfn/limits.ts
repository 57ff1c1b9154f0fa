/** CreateChangeSet takes at most this many bytes of TemplateBody; a bigger template goes through S3 (TemplateURL). */
export const TEMPLATE_BODY_LIMIT = 51_200;
