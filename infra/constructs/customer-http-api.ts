import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fullPath, type Route, type RouteGroup } from '../../functions/http/route.js';

/** What the API needs from a route-table entry. */
export type RouteEntry = Pick<Route, 'method' | 'path' | 'public' | 'group' | 'operationId' | 'summary'>;

export interface CustomerHttpApiProps {
  readonly apiName: string;
  /** The route table (functions/routes.ts): every entry becomes one API Gateway route. */
  readonly routes: readonly RouteEntry[];
  readonly functions: Readonly<Record<RouteGroup, IFunction>>;
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly corsAllowOrigins: readonly string[];
  readonly corsMaxAge: Duration;
  readonly accessLogRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** One JSON object per request, so Logs Insights can filter on any field. */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  subject: '$context.authorizer.claims.sub',
} as const;

const METHODS: Record<Route['method'], HttpMethod> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  DELETE: HttpMethod.DELETE,
};

/**
 * The HTTP API: one route per route-table entry, each integrated with its group's function.
 * Every route requires a valid JWT (issuer and audience) unless the entry is `public`.
 */
export class CustomerHttpApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: CustomerHttpApiProps) {
    super(scope, id);

    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, {
      authorizerName: 'jwt',
      jwtAudience: [...props.jwtAudience],
      identitySource: ['$request.header.Authorization'],
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: props.apiName,
      description: 'Customer Management (CRM) API',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      corsPreflight: {
        allowOrigins: [...props.corsAllowOrigins],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match'],
        exposeHeaders: ['etag', 'location', 'x-request-id'],
        maxAge: props.corsMaxAge,
      },
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.accessLogRetention, removalPolicy: props.removalPolicy });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const integrations = new Map<RouteGroup, HttpLambdaIntegration>();
    const integrationFor = (group: RouteGroup) => {
      let integration = integrations.get(group);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${group}-integration`, props.functions[group], {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(group, integration);
      }
      return integration;
    };

    for (const route of props.routes) {
      const [created] = this.httpApi.addRoutes({
        path: fullPath(route),
        methods: [METHODS[route.method]],
        integration: integrationFor(route.group),
        ...(route.public ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (route.public && created) {
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${fullPath(route)} (${route.operationId}) is public by design in the route table (${route.summary}); it returns no customer data.`,
        });
      }
    }
  }

  /** The invoke URL of the default stage. */
  get url(): string {
    return this.stage.url;
  }
}
