import nock from 'nock';

/**
 * A CloudFront distribution (REST XML) answering through nock: GetDistributionConfig gives one origin
 * (`originDomain`, `originPath`), CreateInvalidation records its paths in `invalidations`.
 */
export class FakeDistribution {
  invalidations: string[][] = [];

  constructor(
    readonly id = 'E2EXAMPLE',
    readonly originDomain = 'www-example.s3.us-east-1.amazonaws.com',
    readonly originPath = '',
  ) {}

  install(): void {
    const cf = nock('https://cloudfront.amazonaws.com').persist();
    cf.get(`/2020-05-31/distribution/${this.id}/config`).reply(() => [
      200,
      `<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>x</CallerReference><Origins><Quantity>1</Quantity><Items><Origin><Id>s3</Id><DomainName>${this.originDomain}</DomainName><OriginPath>${this.originPath}</OriginPath></Origin></Items></Origins><Enabled>true</Enabled></DistributionConfig>`,
    ]);
    cf.post(`/2020-05-31/distribution/${this.id}/invalidation`).reply(async (req: Request) => {
      const paths = [...(await req.text()).matchAll(/<Path>([^<]*)<\/Path>/g)].map((m) => m[1]!);
      this.invalidations.push(paths);
      return [
        201,
        `<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I${this.invalidations.length}</Id><Status>InProgress</Status><CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>${paths.length}</Quantity></Paths><CallerReference>x</CallerReference></InvalidationBatch></Invalidation>`,
      ];
    });
  }
}
