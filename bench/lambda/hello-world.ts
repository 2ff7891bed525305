/** The cold-start baseline: a Lambda handler that does nothing, bundled exactly like the real ones. */
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ hello: 'world' }),
});
