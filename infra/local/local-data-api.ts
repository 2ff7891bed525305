/**
 * The Data API coordinates the local stack uses. The local endpoint ignores ARNs and
 * credentials; they only have to look like the real ones for the SDK's validation.
 */
export const LOCAL_CLUSTER = {
  clusterArn: 'arn:aws:rds:eu-central-1:000000000000:cluster:customer-mgmt-local',
  secretArn: 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:customer-mgmt-local',
  database: 'postgres',
  region: 'eu-central-1',
} as const;
