/**
 * A second tenant, set up as the README's "A second tenant" says (issue 19), next to acme:
 * phones beta-101/beta-102 in pjsip.conf (template with context from-beta), [from-beta] in
 * extensions.conf, and the tenant, its grants, extensions and slot through the API. Its slot
 * 7001 is its own: its own lamp, acme's 7001 untouched. The service writes and reloads the
 * dialplan itself (B3, issue 14): a slot added through the API is dialable with its hint.
 *
 * Needs in Asterisk's configuration (README, step 1 and 2): endpoints and AORs `beta-101` and
 * `beta-102` (identified by username on this loopback test PBX), and
 *   [from-beta]  include => parking-beta  /  exten => _1XX,1,Dial(PJSIP/beta-${EXTEN},30)
 */
import { connectedCall, e2eFile, sipUri, waitParked } from './support/steps';
import type { Line, Phone, PhoneCall } from './support/phones';
import { waitFor } from './support/wait';

const { ctx, flow } = e2eFile();

flow('a second tenant with the same slot number', (step, check) => {
  let tenantId = '';
  let beta101: Phone;
  let caller: Line;
  let answered: PhoneCall;

  step('the system admin creates tenant beta with its endpoints and context; its extensions and slot 7001', async () => {
    const { world } = ctx;
    const tenant = await world.api('POST', '/api/v1/tenants', { slug: 'beta', name: 'Beta Clinic', endpointPatterns: ['PJSIP/beta-*'], dialplanContexts: ['from-beta'] });
    expect(tenant.status).toBe(201);
    tenantId = tenant.body.id;
    for (const number of ['101', '102']) {
      const ext = await world.api('POST', `/api/v1/tenants/${tenantId}/extensions`, { number, name: `Beta ${number}`, endpoint: `PJSIP/beta-${number}` });
      expect(ext.status).toBe(201);
    }
    // Another tenant's endpoint is refused, and the answer does not say whose it is.
    const squat = await world.api('POST', `/api/v1/tenants/${tenantId}/extensions`, { number: '103', name: 'x', endpoint: 'PJSIP/103' });
    expect(squat.status).toBe(400);
    expect(JSON.stringify(squat.body)).not.toMatch(/acme/);
    expect((await world.api('POST', `/api/v1/tenants/${tenantId}/slots`, { number: '7001' })).status).toBe(201);
  });

  step('without any manual step, 7001@parking-beta is dialable with its hint Stasis:park-beta-7001', async () => {
    const { world } = ctx;
    await waitFor('the hint in Asterisk', async () => /7001@parking-beta\s*: Stasis:park-beta-7001/.test(await world.asterisk.cli('core show hints')), { timeoutMs: 10_000 });
    expect(await world.asterisk.cli('dialplan show 7001@parking-beta')).toMatch(/Stasis\(parking,code,beta,\$\{EXTEN\}\)/);
  });

  step('beta-102 calls 101 (beta-101 answers), who transfers the call to 7001: parked in tenant beta', async () => {
    const { world } = ctx;
    beta101 = await world.phones.register('beta-101');
    ({ line: caller, answered } = await connectedCall(world, 'beta-102', beta101, '101'));
    await answered.transfer(sipUri(world, '7001'));
    const parked = await waitParked(world, '7001');
    expect(parked).toMatchObject({ tenantId, callerNumber: '102', parker: { extension: '101', endpoint: 'PJSIP/beta-101' } });
  });

  check("beta's lamp is lit, acme's 7001 is not", async () => {
    const { world } = ctx;
    await waitFor('beta 7001 lit', async () => (await world.asterisk.deviceState('Stasis:park-beta-7001')) === 'INUSE');
    expect(await world.asterisk.deviceState('Stasis:park-acme-7001')).not.toBe('INUSE');
  });

  step('beta-101 dials 7001 and gets the caller back', async () => {
    const { world } = ctx;
    const retriever = await world.phones.call('beta-101', '7001');
    await retriever.answered();
    await waitFor('the park to end', () => world.service.service.ctx.lots.all().length === 0);
    await retriever.hangup();
    await caller.waitForBye();
  });
});
