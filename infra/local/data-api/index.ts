export { startDataApiEndpoint, type DataApiEndpoint, type DataApiEndpointOptions } from './data-api-server.js';
