import * as z from 'zod';
import { cleanText, isoTimestamp } from '../http/clean-input.js';

// Contracts of the events other contexts send us. Unknown fields are ignored (producers may add
// fields without breaking us); missing or malformed ones send the event to the dead letters.
// Text and timestamps use the edge's building blocks: a value PostgreSQL would refuse (NUL, an
// unpaired surrogate, a date that does not exist or falls outside 0001-9999) is a dead letter,
// never a failed transaction that is retried forever.
const uuid = z.uuid();
const timestamp = isoTimestamp({ requireOffset: true });

export const IDENTITY_SOURCE = 'identity';
export const ORDER_SOURCE = 'order-management';

export const IdentityEvents = {
  UserRegistered: z.object({ user_id: uuid, email: cleanText(254), name: cleanText(400), registered_at: timestamp }),
  UserEmailChanged: z.object({ user_id: uuid, email: cleanText(254), changed_at: timestamp.optional() }),
  UserRoleGranted: z.object({
    user_id: uuid,
    role: cleanText(50),
    name: cleanText(400).optional(),
    email: cleanText(254).optional(),
  }),
  UserRoleRevoked: z.object({ user_id: uuid, role: cleanText(50) }),
  UserDeactivated: z.object({ user_id: uuid }),
} as const;

const order = z.object({
  order_id: uuid,
  customer_id: uuid,
  total_minor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  currency: cleanText(3).length(3),
  placed_at: timestamp,
});

export const OrderEvents = { OrderPlaced: order, OrderCompleted: order, OrderRefunded: order } as const;

export type IdentityEventType = keyof typeof IdentityEvents;
export type OrderEventType = keyof typeof OrderEvents;

/** An event as EventBridge delivers it to a Lambda target (and as `npm run events:send` reads it). */
export const EventBridgeEnvelope = z.object({
  id: cleanText(200).min(1),
  source: cleanText(256).min(1),
  'detail-type': cleanText(128).min(1),
  time: cleanText(64).optional(),
  detail: z.unknown(),
});
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelope>;
