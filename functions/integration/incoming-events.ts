import * as z from 'zod';

// Contracts of the events other contexts send us. Unknown fields are ignored (producers may add
// fields without breaking us); missing or malformed ones send the event to the dead letters.
const uuid = z.uuid();
const timestamp = z.iso.datetime({ offset: true });

export const IDENTITY_SOURCE = 'identity';
export const ORDER_SOURCE = 'order-management';

export const IdentityEvents = {
  UserRegistered: z.object({ user_id: uuid, email: z.string().max(254), name: z.string().max(400), registered_at: timestamp }),
  UserEmailChanged: z.object({ user_id: uuid, email: z.string().max(254), changed_at: timestamp.optional() }),
  UserRoleGranted: z.object({
    user_id: uuid,
    role: z.string().max(50),
    name: z.string().max(400).optional(),
    email: z.string().max(254).optional(),
  }),
  UserRoleRevoked: z.object({ user_id: uuid, role: z.string().max(50) }),
  UserDeactivated: z.object({ user_id: uuid }),
} as const;

const order = z.object({
  order_id: uuid,
  customer_id: uuid,
  total_minor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  currency: z.string().length(3),
  placed_at: timestamp,
});

export const OrderEvents = { OrderPlaced: order, OrderCompleted: order, OrderRefunded: order } as const;

export type IdentityEventType = keyof typeof IdentityEvents;
export type OrderEventType = keyof typeof OrderEvents;

/** An event as EventBridge delivers it to a Lambda target (and as `npm run events:send` reads it). */
export const EventBridgeEnvelope = z.object({
  id: z.string().min(1).max(200),
  source: z.string().min(1).max(256),
  'detail-type': z.string().min(1).max(128),
  time: z.string().max(64).optional(),
  detail: z.unknown(),
});
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelope>;
