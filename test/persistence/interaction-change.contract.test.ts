import { randomUUID } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import { createCustomer } from '../../domain/customer/create-customer.js';
import { INTERACTION_KIND, type InteractionChange } from '../../domain/interaction/interaction-change.js';
import * as commands from '../../domain/interaction/interaction-commands.js';
import { logInteraction } from '../../domain/interaction/log-interaction.js';
import type { Result } from '../../domain/shared/result.js';
import { createCustomerRepository } from '../../functions/customers/customer-repository.js';
import { createInteractionRepository } from '../../functions/interactions/interaction-repository.js';
import { describeChangeContract } from '../support/change-contract.js';

function valid(change: Result<InteractionChange, unknown>): InteractionChange {
  if (!change.ok) throw new Error(`command refused: ${JSON.stringify(change.error)}`);
  return change.value;
}

let customerId = '';

describeChangeContract({
  aggregate: 'Interaction',
  kind: INTERACTION_KIND,
  repository: async (db) => {
    const created = createCustomer(
      { name: 'Grace Hopper', email: `grace.${randomUUID().slice(0, 8)}@example.com` },
      { eventId: uuidv7(), now: '2025-01-01T00:00:00.000Z', actor: 'contract-test', customerId: uuidv7() },
    );
    if (!created.ok) throw new Error(created.error.message);
    await createCustomerRepository(db).insert(created.value.customer, created.value.event);
    customerId = created.value.customer.id;
    return createInteractionRepository(db);
  },
  create: ({ id, ...context }) => {
    const logged = logInteraction(
      {
        type: 'call',
        occurredAt: '2025-05-30T10:00:00.000Z',
        direction: 'outbound',
        subject: 'Renewal',
        durationS: 300,
        outcome: 'connected',
        links: [{ targetType: 'customer', targetId: customerId }],
        ownerId: uuidv7(),
        participants: [{ email: 'someone@example.org', name: 'Someone' }],
      },
      { ...context, id, customersByEmail: new Map() },
    );
    return logged.ok ? { ok: true, value: { entity: logged.value.interaction, event: logged.value.event } } : logged;
  },
  steps: [
    { name: 'outcome', build: () => valid(commands.updateInteraction({ outcome: 'left_voicemail' })) },
    { name: 'same outcome', build: (_, current) => valid(commands.updateInteraction({ outcome: current.outcome })) },
    { name: 'subject and body (personal)', build: () => valid(commands.updateInteraction({ subject: 'Secret', body: 'Body\ntext' })) },
    { name: 'clear subject', build: () => valid(commands.updateInteraction({ subject: null })) },
    { name: 'call → note keeping direction (refused)', build: () => valid(commands.updateInteraction({ type: 'note' })) },
    {
      name: 'call → note',
      build: () => valid(commands.updateInteraction({ type: 'note', direction: null, durationS: null, outcome: null })),
    },
    {
      name: 'back to a call',
      build: () => valid(commands.updateInteraction({ type: 'call', direction: 'inbound', outcome: 'busy', durationS: 12 })),
    },
    {
      name: 'earlier time',
      build: (now) => valid(commands.updateInteraction({ occurredAt: new Date(Date.parse(now) - 86_400_000).toISOString() })),
    },
    {
      name: 'future time (refused unless a scheduled meeting)',
      build: (now) => valid(commands.updateInteraction({ occurredAt: new Date(Date.parse(now) + 86_400_000).toISOString() })),
    },
    {
      name: 'a scheduled meeting in the future',
      build: (now) =>
        valid(
          commands.updateInteraction({
            type: 'meeting',
            direction: null,
            outcome: 'scheduled',
            occurredAt: new Date(Date.parse(now) + 86_400_000).toISOString(),
          }),
        ),
    },
    { name: 'new owner', build: () => valid(commands.updateInteraction({ ownerId: randomUUID() })) },
    { name: 'delete', build: (now) => commands.deleteInteraction(now) },
  ],
});
