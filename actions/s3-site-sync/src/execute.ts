import pLimit from 'p-limit';
import { errorMessage } from '@deploy-actions/aws-kit';
import { isHtml } from '@deploy-actions/aws-kit/s3';
import type { Plan, PlanItem, WrittenObject } from './plan.js';

/** The S3 writes, injected so ordering and failure handling are tested without S3. */
export interface SyncOperations {
  /** Uploads the file; returns the new object's ETag and version. */
  upload(item: PlanItem): Promise<WrittenObject>;
  /** Rewrites the headers in place (CopyObject, MetadataDirective REPLACE); returns the new ETag and version. */
  updateMetadata(item: PlanItem): Promise<WrittenObject>;
  /** Deletes a batch; returns the keys S3 refused, with its reason. */
  deleteBatch(items: PlanItem[]): Promise<{ key: string; message: string }[]>;
}

export interface SyncFailure {
  rel: string;
  operation: 'upload' | 'metadata' | 'delete';
  message: string;
}

export interface SyncResult {
  uploaded: PlanItem[];
  metadataUpdated: PlanItem[];
  deleted: PlanItem[];
  bytesUploaded: number;
  failures: SyncFailure[];
  /** What was written (ETag, version), by rel, for the manifest. */
  written: Map<string, WrittenObject>;
  /** The phase that failed, when one did; later phases did not run. */
  stoppedIn?: 'assets' | 'html' | 'deletions';
}

export type Phase = 'assets' | 'html' | 'deletions';

/**
 * Runs the plan in the order that keeps the live site whole: new and changed assets (and their header
 * updates) first, then HTML that references them, then deletions. A failure stops the phase from
 * starting more work and skips every later phase, so nothing is deleted after a failed upload.
 */
export async function executePlan(
  plan: Plan,
  ops: SyncOperations,
  opts: { concurrency: number; log?: (line: string) => void; onPhase?: (phase: Phase) => void; deleteBatchSize?: number },
): Promise<SyncResult> {
  const log = opts.log ?? (() => undefined);
  const result: SyncResult = { uploaded: [], metadataUpdated: [], deleted: [], bytesUploaded: 0, failures: [], written: new Map() };
  const writes = plan.items.filter((i) => i.action === 'upload' || i.action === 'metadata');
  const phases: [Phase, PlanItem[]][] = [
    ['assets', writes.filter((i) => !isHtml(i.rel))],
    ['html', writes.filter((i) => isHtml(i.rel))],
  ];
  for (const [phase, items] of phases) {
    if (items.length === 0) continue;
    opts.onPhase?.(phase);
    const completed = await writeAll(items, ops, result, {
      concurrency: opts.concurrency,
      progress: progressLogger(phase === 'html' ? 'HTML' : 'assets', items.length, log),
    });
    if (!completed) {
      result.stoppedIn = phase;
      return result;
    }
  }
  const deletes = plan.items.filter((i) => i.action === 'delete');
  if (deletes.length) {
    opts.onPhase?.('deletions');
    const completed = await deleteAll(deletes, ops, result, {
      batchSize: opts.deleteBatchSize ?? 1000,
      progress: progressLogger('deletions', deletes.length, log),
    });
    if (!completed) result.stoppedIn = 'deletions';
  }
  return result;
}

/** Uploads or re-heads every item, a few at a time; after the first failure starts no more. False when one failed. */
async function writeAll(items: PlanItem[], ops: SyncOperations, result: SyncResult, opts: { concurrency: number; progress: () => void }): Promise<boolean> {
  const limit = pLimit(opts.concurrency);
  let stopped = false;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (stopped) return;
        try {
          if (item.action === 'upload') {
            result.written.set(item.rel, await ops.upload(item));
            result.uploaded.push(item);
            result.bytesUploaded += item.local?.size ?? 0;
          } else {
            result.written.set(item.rel, await ops.updateMetadata(item));
            result.metadataUpdated.push(item);
          }
          opts.progress();
        } catch (err) {
          stopped = true;
          result.failures.push({ rel: item.rel, operation: item.action === 'upload' ? 'upload' : 'metadata', message: errorMessage(err) });
        }
      }),
    ),
  );
  return !stopped;
}

/** Deletes in batches, one after another; stops at the first batch with a refusal. False when one was refused. */
async function deleteAll(
  deletes: PlanItem[],
  ops: SyncOperations,
  result: SyncResult,
  opts: { batchSize: number; progress: (n: number) => void },
): Promise<boolean> {
  for (let at = 0; at < deletes.length; at += opts.batchSize) {
    const batch = deletes.slice(at, at + opts.batchSize);
    let refused: { key: string; message: string }[];
    try {
      refused = await ops.deleteBatch(batch);
    } catch (err) {
      refused = batch.map((i) => ({ key: i.key, message: errorMessage(err) }));
    }
    const refusedKeys = new Set(refused.map((r) => r.key));
    for (const item of batch) if (!refusedKeys.has(item.key)) result.deleted.push(item);
    for (const r of refused) result.failures.push({ rel: batch.find((i) => i.key === r.key)?.rel ?? r.key, operation: 'delete', message: r.message });
    opts.progress(batch.length - refused.length);
    if (refused.length) return false;
  }
  return true;
}

/** "assets: 150/1000" lines, about twenty per phase, so large sites show they are moving. */
function progressLogger(label: string, total: number, log: (line: string) => void): (n?: number) => void {
  const every = Math.max(25, Math.ceil(total / 20));
  let done = 0;
  let next = every;
  return (n = 1) => {
    done += n;
    if (done >= next || done === total) {
      log(`  ${label}: ${done}/${total}`);
      while (next <= done) next += every;
    }
  };
}
