import { lambdaHandlerFor } from '../lambda-runtime.js';
import { writeSideEffects } from './write-side-effects.js';

export const handler = lambdaHandlerFor('api-write', writeSideEffects);
