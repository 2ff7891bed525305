import { fullPath, type HttpMethod, type Route } from './route.js';

export type RouteMatch<R> =
  | { readonly kind: 'matched'; readonly route: R; readonly pathParameters: Record<string, string> }
  | { readonly kind: 'method_not_allowed'; readonly allowed: readonly HttpMethod[] }
  | { readonly kind: 'not_found' };

interface CompiledRoute<R> {
  readonly route: R;
  readonly segments: readonly string[];
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

const isParameter = (segment: string) => segment.startsWith('{') && segment.endsWith('}');

/**
 * Matches request paths against the route table the way API Gateway does: a literal segment
 * beats a parameter at the same position, so `/customers/email/{email}` wins over `/customers/{id}/…`.
 */
export function createRouteMatcher<R extends Pick<Route, 'method' | 'path' | 'public'>>(routes: readonly R[]) {
  const compiled: CompiledRoute<R>[] = routes.map((route) => ({ route, segments: segmentsOf(fullPath(route)) }));
  const specificity = (segments: readonly string[]) => segments.map((s) => (isParameter(s) ? '1' : '0')).join('');
  compiled.sort((a, b) => specificity(a.segments).localeCompare(specificity(b.segments)));

  function bind(segments: readonly string[], requestSegments: readonly string[]): Record<string, string> | null {
    if (segments.length !== requestSegments.length) return null;
    const parameters: Record<string, string> = {};
    for (const [index, segment] of segments.entries()) {
      const actual = requestSegments[index]!;
      if (isParameter(segment)) {
        try {
          parameters[segment.slice(1, -1)] = decodeURIComponent(actual);
        } catch {
          parameters[segment.slice(1, -1)] = actual;
        }
      } else if (segment !== actual) {
        return null;
      }
    }
    return parameters;
  }

  return (method: string, path: string): RouteMatch<R> => {
    const requestSegments = segmentsOf(path);
    const allowed: HttpMethod[] = [];
    for (const { route, segments } of compiled) {
      const pathParameters = bind(segments, requestSegments);
      if (!pathParameters) continue;
      if (route.method === method) return { kind: 'matched', route, pathParameters };
      if (!allowed.includes(route.method)) allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
  };
}
