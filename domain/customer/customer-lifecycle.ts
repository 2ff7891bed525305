import type { CustomerStatus } from './customer.js';
import type { CustomerEventType } from './customer.events.js';

/** The customer lifecycle, and the only place that encodes it. */
export const LIFECYCLE = {
  qualify: { from: 'lead', to: 'prospect', event: 'CustomerQualified' },
  convert: { from: 'prospect', to: 'customer', event: 'CustomerConverted' },
  churn: { from: 'customer', to: 'churned', event: 'CustomerChurned' },
  reactivate: { from: 'churned', to: 'prospect', event: 'CustomerReactivated' },
} as const satisfies Record<string, { from: CustomerStatus; to: CustomerStatus; event: CustomerEventType }>;

export type LifecycleCommand = keyof typeof LIFECYCLE;
export const LIFECYCLE_COMMANDS = Object.keys(LIFECYCLE) as LifecycleCommand[];

/** The commands that may be applied to a customer in the given status. */
export function commandsAllowedFrom(status: CustomerStatus): LifecycleCommand[] {
  return LIFECYCLE_COMMANDS.filter((command) => LIFECYCLE[command].from === status);
}
