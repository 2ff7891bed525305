import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../http/actor.js';
import { rolesOf } from './access.js';
import { ROLES } from './permissions.js';

const actor = (claims: Actor['claims']): Actor => ({ id: '019b6ec4-0000-7000-8000-000000000001', claims });

describe('reading roles from the token', () => {
  it.each([
    ['flattened by API Gateway, one role', { roles: '[admin]' }, ['admin']],
    ['flattened, several roles', { roles: '[viewer sales_rep]' }, ['sales_rep', 'viewer']],
    ['a real array', { roles: ['viewer', 'manager'] }, ['manager', 'viewer']],
    ['a plain string naming one role', { roles: 'manager' }, ['manager']],
    ['a role named "viewer,admin" (flattened)', { roles: '[viewer,admin]' }, []],
    ['a role named "viewer,admin" (array)', { roles: ['viewer,admin'] }, []],
    ['a role named "viewer,admin" (plain string)', { roles: 'viewer,admin' }, []],
    ['a role named "super admin" (flattened: cannot be told from two roles, so nothing)', { roles: '[super admin]' }, []],
    ['a role named "super admin" (array)', { roles: ['super admin'] }, []],
    ['a role named "super admin" next to a real one (array)', { roles: ['super admin', 'viewer'] }, ['viewer']],
    ['an unknown role next to a real one (flattened: ambiguous, so nothing)', { roles: '[beta viewer]' }, []],
    ['a plain string with two names', { roles: 'admin viewer' }, []],
    ['another case', { roles: '[Admin]' }, []],
    ['white space around a name', { roles: '[ admin]' }, []],
    ['a tab between names', { roles: '[viewer\tadmin]' }, []],
    ['the empty array', { roles: '[]' }, []],
    ['a number', { roles: 1 }, []],
    ['Cognito groups, flattened', { 'cognito:groups': '[viewer]' }, ['viewer']],
    ['Cognito groups with an unrelated federated group', { 'cognito:groups': '[eu-central-1_AbC_Google manager]' }, ['manager']],
    ['a Cognito group named "viewer,admin"', { 'cognito:groups': '[viewer,admin]' }, []],
    ['roles wins over cognito:groups', { roles: '[viewer]', 'cognito:groups': '[admin]' }, ['viewer']],
    ['no claim', {}, []],
  ] as const)('%s', (_case, claims, expected) => {
    expect(rolesOf(actor(claims as Actor['claims']))).toEqual(expected);
  });

  const roleName = fc.constantFrom(...ROLES);
  /** Values that are not role names, nor role names joined by single spaces (which a flattened claim cannot tell apart). */
  const notARole = fc
    .string({ maxLength: 20 })
    .filter((value) => !value.split(' ').every((token) => (ROLES as readonly string[]).includes(token)));

  it('a real array grants exactly the elements that are role names (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(roleName, notARole), { maxLength: 6 }), (values) => {
        expect(rolesOf(actor({ roles: values }))).toEqual(ROLES.filter((role) => values.includes(role)));
      }),
    );
  });

  it('a flattened roles claim with any value that is not a role name grants nothing (property)', () => {
    fc.assert(
      fc.property(fc.array(roleName, { maxLength: 4 }), notARole, fc.array(roleName, { maxLength: 4 }), (before, odd, after) => {
        expect(rolesOf(actor({ roles: `[${[...before, odd, ...after].join(' ')}]` }))).toEqual([]);
      }),
    );
  });
});
