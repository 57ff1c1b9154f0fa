import { describe, expect, it } from '@jest/globals';
import { executePlan, type SyncOperations } from './execute.js';
import { planSync, type PlanItem } from './plan.js';

const local = (rel: string) => ({ rel, path: `/x/${rel}`, size: 5, md5: rel.padEnd(32, '0').slice(0, 32) });
const plan = planSync({
  local: ['index.html', 'blog/index.html', '_astro/a.1a2b3c4d.js', '_astro/b.1a2b3c4d.css', 'img.webp'].map(local),
  remote: [
    { key: 'old.html', rel: 'old.html', etag: 'e', size: 1 },
    { key: 'old.js', rel: 'old.js', etag: 'e', size: 1 },
  ],
  prefix: '',
  desired: () => ({ contentType: 't', cacheControl: 'c' }),
  deleteRemoved: true,
});

function recorder(failOn?: (op: string, item: PlanItem) => boolean) {
  const events: string[] = [];
  const ops: SyncOperations = {
    upload: async (item) => {
      await new Promise((r) => setTimeout(r, item.rel.length % 3));
      if (failOn?.('upload', item)) throw new Error(`AccessDenied on ${item.rel}`);
      events.push(`upload ${item.rel}`);
      return { etag: `etag-${item.rel}`, versionId: `v-${item.rel}` };
    },
    updateMetadata: async (item) => {
      events.push(`metadata ${item.rel}`);
      return { etag: 'e' };
    },
    deleteBatch: async (items) => {
      events.push(`delete ${items.map((i) => i.rel).join(',')}`);
      return [];
    },
  };
  return { events, ops };
}

describe('executePlan', () => {
  it('publishes assets, then HTML, then deletions', async () => {
    const { events, ops } = recorder();
    const lines: string[] = [];
    const result = await executePlan(plan, ops, { concurrency: 4, log: (l) => lines.push(l) });
    const firstHtml = events.findIndex((e) => e.endsWith('.html'));
    expect(events.slice(0, firstHtml).every((e) => !e.endsWith('.html'))).toBe(true);
    expect(events.slice(0, firstHtml)).toHaveLength(3);
    expect(events.slice(firstHtml, firstHtml + 2).sort()).toEqual(['upload blog/index.html', 'upload index.html']);
    expect(events.at(-1)).toBe('delete old.html,old.js');
    expect(result).toMatchObject({ bytesUploaded: 25, failures: [] });
    expect(result.uploaded).toHaveLength(5);
    expect(result.deleted).toHaveLength(2);
    expect(result.written.get('index.html')).toEqual({ etag: 'etag-index.html', versionId: 'v-index.html' });
    expect(lines).toEqual(['  assets: 3/3', '  HTML: 2/2', '  deletions: 2/2']);
  });

  it('uploads no HTML and deletes nothing when an asset upload fails', async () => {
    const { events, ops } = recorder((op, item) => item.rel === 'img.webp');
    const result = await executePlan(plan, ops, { concurrency: 1 });
    expect(events.some((e) => e.endsWith('.html') || e.startsWith('delete'))).toBe(false);
    expect(result.stoppedIn).toBe('assets');
    expect(result.failures).toEqual([{ rel: 'img.webp', operation: 'upload', message: 'AccessDenied on img.webp' }]);
  });

  it('deletes nothing when an HTML upload fails', async () => {
    const { events, ops } = recorder((op, item) => item.rel === 'blog/index.html');
    const result = await executePlan(plan, ops, { concurrency: 8 });
    expect(events.filter((e) => e.startsWith('upload _astro'))).toHaveLength(2);
    expect(events.some((e) => e.startsWith('delete'))).toBe(false);
    expect(result.stoppedIn).toBe('html');
  });

  it('reports the keys S3 refused to delete, in batches', async () => {
    const { ops } = recorder();
    const batches: string[][] = [];
    ops.deleteBatch = async (items) => {
      batches.push(items.map((i) => i.key));
      return items.length === 1 ? [{ key: items[0]!.key, message: 'AccessDenied Access Denied' }] : [];
    };
    const result = await executePlan(plan, ops, { concurrency: 2, deleteBatchSize: 1 });
    expect(batches).toEqual([['old.html']]);
    expect(result.failures).toEqual([{ rel: 'old.html', operation: 'delete', message: 'AccessDenied Access Denied' }]);
    expect(result.stoppedIn).toBe('deletions');
  });
});
