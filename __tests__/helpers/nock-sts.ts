import nock from 'nock';

/** Answers sts:GetCallerIdentity (what `connect()` asks first) for every in-process test that fakes AWS with nock. */
export function answerCallerIdentity(account = '123456789012', region = 'us-east-1'): void {
  nock(`https://sts.${region}.amazonaws.com`)
    .persist()
    .post('/')
    .reply(
      200,
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/ci</Arn><UserId>AIDA</UserId><Account>${account}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
    );
}
