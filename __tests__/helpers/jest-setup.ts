import { afterAll } from '@jest/globals';

// Each test file loads its own copy of nock, and each copy hooks Node's http globally. A copy left
// active after its file ends would answer the next file's requests in the same worker, so every
// file turns its copy off when it ends.
afterAll(async () => {
  const { default: nock } = await import('nock');
  nock.cleanAll();
  nock.restore();
  nock.enableNetConnect();
});
