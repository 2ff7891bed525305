import type { CustomerStatus } from './customer.js';
import { LIFECYCLE, LIFECYCLE_COMMANDS, type LifecycleCommand } from './customer-lifecycle.js';

/**
 * The shortest sequence of lifecycle commands from one status to another, found by walking the
 * transition table (so it can never disagree with it); null when the target is unreachable.
 */
export function lifecyclePath(from: CustomerStatus, to: CustomerStatus): LifecycleCommand[] | null {
  const queue: { status: CustomerStatus; path: LifecycleCommand[] }[] = [{ status: from, path: [] }];
  const seen = new Set<CustomerStatus>([from]);
  while (queue.length > 0) {
    const { status, path } = queue.shift()!;
    if (status === to) return path;
    for (const command of LIFECYCLE_COMMANDS) {
      const step = LIFECYCLE[command];
      if (step.from !== status || seen.has(step.to)) continue;
      seen.add(step.to);
      queue.push({ status: step.to, path: [...path, command] });
    }
  }
  return null;
}
