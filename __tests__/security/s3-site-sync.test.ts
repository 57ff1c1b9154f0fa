import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { s3Cases } from './cases/s3-site-sync.js';
import { securitySuite } from './harness.js';

securitySuite('s3-site-sync', s3Cases, async () => {
  const s3 = new S3Client({ region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' });
  await s3.send(new CreateBucketCommand({ Bucket: 'sec-site' }));
  await s3.send(new PutObjectCommand({ Bucket: 'sec-site', Key: 'index.html', Body: '<h1>live</h1>' }));
});
