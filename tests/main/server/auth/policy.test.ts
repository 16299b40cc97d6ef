/** The LAN access rules come from the contract's per-method `access`, and only from there. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiMethods, type MethodName } from '../../../../api/contract.js';
import { methodAccessLevels } from '../../../../api/method.js';
import { refusal } from '../../../../main/server/auth/policy.js';

const names = Object.keys(apiMethods) as MethodName[];

test('every Api method declares an access level', () => {
  for (const name of names) assert.ok(methodAccessLevels.includes(apiMethods[name].access), `${name} has access ${String(apiMethods[name].access)}`);
});

test('the reviewer methods are exactly the released list (a change here is a deliberate decision)', () => {
  const reviewer = names.filter((n) => apiMethods[n].access === 'reviewer').sort();
  assert.deepEqual(reviewer, [
    'app.info',
    'jobs.get',
    'jobs.list',
    'knowledge.facets',
    'knowledge.get',
    'knowledge.search',
    'knowledge.stats',
    'models.list',
    'review.agreement',
    'review.audit',
    'review.decide',
    'review.exportAudit',
    'review.exportHumanSet',
    'review.item',
    'review.queue',
    'review.session',
    'review.undo',
    'synthesis.dataset',
    'synthesis.datasets',
    'synthesis.preview',
    'synthesis.questions',
  ]);
});

test('the guard follows the declaration: reviewers get reviewer methods, admins all but loopback ones', () => {
  for (const name of names) {
    const access = apiMethods[name].access;
    assert.equal(refusal('reviewer', name) === null, access === 'reviewer', `reviewer → ${name}`);
    assert.equal(refusal('admin', name) === null, access !== 'loopback', `admin → ${name}`);
  }
  assert.match(refusal('admin', 'synthesis.importSeeds') ?? '', /only available on the machine running the server/);
  assert.match(refusal('reviewer', 'review.setBlind') ?? '', /needs the admin role/);
  assert.match(refusal('admin', 'no.such') ?? '', /not an Api method/);
  assert.equal(refusal('reviewer', 'events'), null);
});
