/** Thrown by a consumer for an event it can never apply; the event is parked with the reason, not retried. */
export class DeadLetter extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DeadLetter';
  }
}
