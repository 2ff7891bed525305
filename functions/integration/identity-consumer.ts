import * as commands from '../../domain/customer/customer-commands.js';
import type { DomainError } from '../../domain/errors.js';
import { parseEmail } from '../../domain/shared/email.js';
import type { Result } from '../../domain/shared/result.js';
import { DeadLetter } from './dead-letter.js';
import type { z } from 'zod';
import type { ConsumerContext } from './consumer-context.js';
import type { IdentityEvents, IdentityEventType } from './incoming-events.js';

/** The value of a use case, or a dead letter saying why the event cannot be applied. */
export function unwrap<T>(what: string, result: Result<T, DomainError>): T {
  if (!result.ok) throw new DeadLetter(`${what}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

type Handlers = { [K in IdentityEventType]: (detail: z.infer<(typeof IdentityEvents)[K]>, context: ConsumerContext) => Promise<string> };

/** What Identity's events mean for customers and the sales-rep directory. Each returns what it did. */
export const identityHandlers: Handlers = {
  async UserRegistered(detail, { customers, customerRepository, actor }) {
    const email = parseEmail(detail.email);
    if (!email.ok) throw new DeadLetter(`UserRegistered with an invalid email: ${email.error}`);
    if (await customerRepository.findIdByUnique('user_id', detail.user_id)) return 'user already linked';
    const existing = await customerRepository.findByEmail(email.value);
    if (existing) {
      if (existing.userId !== null)
        throw new DeadLetter(`customer ${existing.id} with email ${email.value} is linked to another user (${existing.userId})`);
      const link = unwrap('linking the user', commands.updateDetails({ userId: detail.user_id }));
      unwrap('linking the user', await customers.change(existing.id, () => link, actor));
      return `linked to existing customer ${existing.id}`;
    }
    const result = await customers.create({ name: detail.name, email: email.value, source: 'signup', userId: detail.user_id }, actor);
    // An erased person who asked not to be added again: applied as "not created", never parked with their email.
    if (!result.ok && result.error.code === 'CUSTOMER.SUPPRESSED') return 'email suppressed after an erasure: no lead created';
    const created = unwrap('creating the lead', result);
    return `created lead ${created.customer.id}`;
  },

  async UserEmailChanged(detail, { customers, customerRepository, actor }) {
    const id = await customerRepository.findIdByUnique('user_id', detail.user_id);
    if (!id) return 'no customer for this user';
    const change = unwrap('changing the email', commands.updateDetails({ email: detail.email }));
    unwrap('changing the email', await customers.change(id, () => change, actor));
    return `email of customer ${id} updated`;
  },

  async UserRoleGranted(detail, { salesReps, now }) {
    if (detail.role !== 'sales_rep') return `role ${detail.role} is not tracked`;
    await salesReps.upsert({ userId: detail.user_id, active: true, name: detail.name, email: detail.email, at: now });
    return 'sales rep active';
  },

  async UserRoleRevoked(detail, { salesReps, now }) {
    if (detail.role !== 'sales_rep') return `role ${detail.role} is not tracked`;
    await salesReps.upsert({ userId: detail.user_id, active: false, at: now });
    return 'sales rep inactive';
  },

  async UserDeactivated(detail, { salesReps, now }) {
    await salesReps.deactivate(detail.user_id, now);
    return 'user deactivated';
  },
};
