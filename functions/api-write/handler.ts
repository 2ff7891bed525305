import { lambdaHandlerFor } from '../lambda-runtime.js';

export const handler = lambdaHandlerFor('api-write');
