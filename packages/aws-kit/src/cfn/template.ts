import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeploymentError, errorMessage } from '../errors.js';
import { TEMPLATE_BODY_LIMIT } from './limits.js';

// In a module of its own, so a bundle's inputs check needs no S3 client.
export { TEMPLATE_BODY_LIMIT } from './limits.js';

/** True when the template is too big to send inline. */
export function needsTemplateUrl(templateBody: string): boolean {
  return Buffer.byteLength(templateBody) > TEMPLATE_BODY_LIMIT;
}

export interface TemplateUpload {
  bucket: string;
  /** The bucket's region (the URL names it). */
  region: string;
  /** Folder in the bucket, e.g. `cfn-lambda-deploy/<stack>`. */
  keyPrefix: string;
  templateBody: string;
  /** What to do when the upload is refused (default: the permissions it needs on the bucket). */
  hint?: string;
}

/**
 * Puts a template at `<keyPrefix>/<its sha256>.template` (one template, one key: a retry overwrites it with the
 * same bytes) and returns the TemplateURL CloudFormation reads it from.
 */
export async function uploadTemplate(s3: S3Client, u: TemplateUpload): Promise<{ key: string; url: string }> {
  const key = `${u.keyPrefix}/${createHash('sha256').update(u.templateBody).digest('hex')}.template`;
  try {
    await s3.send(new PutObjectCommand({ Bucket: u.bucket, Key: key, Body: u.templateBody }));
  } catch (err) {
    throw new DeploymentError(
      `Could not upload the template to s3://${u.bucket}/${key}: ${errorMessage(err)}`,
      u.hint ?? `The role needs s3:PutObject and s3:GetObject on ${u.bucket}.`,
      { cause: err },
    );
  }
  return { key, url: `https://${u.bucket}.s3.${u.region}.amazonaws.com/${key}` };
}
