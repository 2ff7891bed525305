import type { DomainError } from '../errors.js';

/** The expected failures of the Interaction aggregate. */
export const INTERACTION_ERROR_CODES = [
  'INTERACTION.NOT_FOUND',
  'INTERACTION.VERSION_MISMATCH',
  'INTERACTION.EXTERNAL_ID_TAKEN',
  'INTERACTION.NOT_OWNER',
] as const;
export type InteractionErrorCode = (typeof INTERACTION_ERROR_CODES)[number];

declare module '../errors.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds the interaction codes to the union
  interface DomainErrorCodes extends Record<InteractionErrorCode, true> {}
}

export function interactionNotFound(id: string): DomainError {
  return { code: 'INTERACTION.NOT_FOUND', message: `No interaction with id ${id} exists (it may have been deleted).` };
}
