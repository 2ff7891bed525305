/**
 * Published AWS list prices the cost model uses, in one place. They are the us-east-1 prices
 * docs/deploying.md quotes (from aws.amazon.com/{api-gateway,lambda,rds/aurora,eventbridge,
 * cloudwatch,xray}/pricing); the service deploys to eu-central-1, which lists somewhat higher
 * prices for most of these items. They were not re-read online on PRICES_AS_OF: check the
 * pricing pages for your region before relying on a figure.
 */
export const PRICES_REGION = 'us-east-1';
export const PRICES_AS_OF = '2026-11-28';

export const PRICES = {
  /** API Gateway HTTP API, per million requests (first 300 million a month). */
  apiGatewayHttpPerMillion: 1.0,
  /** Lambda, per million requests. */
  lambdaRequestsPerMillion: 0.2,
  /** Lambda arm64, per GB-second. */
  lambdaArmPerGbSecond: 0.0000133334,
  /** RDS Data API, per million API requests (first billion a month). */
  dataApiPerMillion: 0.35,
  /** Aurora Serverless v2, per ACU-hour. */
  auroraAcuHour: 0.12,
  /** Aurora Standard storage, per GB-month. */
  auroraStorageGbMonth: 0.1,
  /** EventBridge custom events (PutEvents), per million events of up to 64 KB. */
  eventBridgePerMillion: 1.0,
  /** CloudWatch Logs ingestion (standard class), per GB. */
  logsIngestPerGb: 0.5,
  /** X-Ray, per million traces recorded beyond the free 100,000 a month. */
  xrayPerMillionTraces: 5.0,
  xrayFreeTraces: 100_000,
} as const;
