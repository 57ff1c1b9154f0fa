// Types for scripts/release.mjs (used by its tests).
export function parseVersion(tag: string): [number, number, number] | undefined;
export function compareVersions(a: string, b: string): number;
export function majorTagMoves(version: string, current: string | undefined): boolean;
export function isReusableWorkflow(text: string): boolean;
export function releaseFiles(files: string[], read: (path: string) => string): string[];
export function pinWorkflowRefs(text: string, repository: string, version: string): string;
export function createReleaseCommit(opts: { source: string; version: string; repository: string; cwd?: string }): string;
export function currentMajorVersion(major: string, cwd?: string): string | undefined;
