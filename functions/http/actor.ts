import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Who is calling, as the API Gateway JWT authorizer (or the local server) describes them. */
export interface Actor {
  /** The JWT `sub`, or `anonymous` when the request carries no claims. */
  readonly id: string;
  readonly claims: Readonly<Record<string, string | number | boolean | string[]>>;
}

type EventWithClaims = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]> } } };
};

/** The one place that reads the caller's identity from a request. */
export function actorFrom(event: APIGatewayProxyEventV2): Actor {
  const claims = (event as EventWithClaims).requestContext.authorizer?.jwt?.claims ?? {};
  const sub = claims.sub;
  return { id: typeof sub === 'string' && sub.length > 0 ? sub : 'anonymous', claims };
}
