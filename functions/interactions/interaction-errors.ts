import type { InteractionErrorCode } from '../../domain/interaction/interaction-errors.js';

/** The HTTP status of every interaction error; the compiler refuses a code without one. */
export const INTERACTION_ERROR_STATUS: Readonly<Record<InteractionErrorCode, number>> = {
  'INTERACTION.NOT_FOUND': 404,
  'INTERACTION.VERSION_MISMATCH': 412,
  'INTERACTION.EXTERNAL_ID_TAKEN': 409,
  'INTERACTION.NOT_OWNER': 403,
};
