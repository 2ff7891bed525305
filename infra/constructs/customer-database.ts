import { CfnResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { FlowLogDestination, FlowLogTrafficType, IpAddresses, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  AuroraPostgresEngineVersion,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
  DatabaseSecret,
} from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { DATABASE_ROLES, type DatabaseRole } from '../../functions/db/database-roles.js';
import { Construct } from 'constructs';

/** Data API on Serverless v2 needs 16.1+, scale-to-zero 16.3+; bump as AWS retires minor versions. */
export const ENGINE_VERSION = AuroraPostgresEngineVersion.VER_16_9;
export const DATABASE_NAME = 'customer_mgmt';
export const ADMIN_USERNAME = 'customer_mgmt_admin';

export interface CustomerDatabaseProps {
  /** The cluster identifier, e.g. `customer-mgmt-dev`. */
  readonly clusterIdentifier: string;
  readonly availabilityZones: readonly string[];
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly autoPauseAfter?: Duration;
  readonly readers: number;
  readonly backupRetention: Duration;
  readonly deletionProtection: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * Aurora PostgreSQL Serverless v2 with the Data API, in a VPC of isolated subnets only: the
 * Lambdas reach it over the Data API's HTTPS endpoint, so nothing needs a NAT or a route out.
 */
export class CustomerDatabase extends Construct {
  readonly vpc: Vpc;
  readonly cluster: DatabaseCluster;
  /** The master user's secret, managed and rotated by RDS: the migrate function's only. */
  readonly secret: ISecret;
  /** One secret per application role (DATABASE_ROLES), granted per function. */
  readonly roleSecrets: Readonly<Record<DatabaseRole, ISecret>>;
  readonly databaseName = DATABASE_NAME;

  constructor(scope: Construct, id: string, props: CustomerDatabaseProps) {
    super(scope, id);
    const { clusterIdentifier } = props;

    this.vpc = new Vpc(this, 'Vpc', {
      availabilityZones: [...props.availabilityZones],
      ipAddresses: IpAddresses.cidr('10.40.0.0/20'),
      natGateways: 0,
      subnetConfiguration: [{ name: 'database', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      restrictDefaultSecurityGroup: true,
    });
    Validations.of(this.vpc).acknowledge({
      id: 'CloudFormation-Validate::W3010',
      reason:
        'Zones come from the environment config on purpose: synthesis must work offline, without an availability-zone lookup in the account.',
    });
    const flowLogs = new LogGroup(this, 'VpcFlowLogs', { retention: props.logRetention, removalPolicy: props.logRemovalPolicy });
    this.vpc.addFlowLog('FlowLog', { destination: FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: FlowLogTrafficType.REJECT });

    // Created here (the name RDS uses) so that the exported PostgreSQL log gets a retention
    // without the LogRetention custom resource.
    const postgresLog = new LogGroup(this, 'PostgresLog', {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    // The master user's password is managed by RDS in Secrets Manager and rotated by RDS (every 7
    // days by default): no rotation Lambda, no VPC endpoint. Only the migrate function uses it.
    // The functions use least-privilege roles (created by a migration), each with its own secret;
    // the migrate function sets the roles' passwords from these secrets on every deploy.
    // No fixed names: a deleted secret keeps its name for 7–30 days and would block a redeploy.
    const secretRemoval = props.removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.roleSecrets = Object.fromEntries(
      (Object.keys(DATABASE_ROLES) as DatabaseRole[]).map((role) => {
        const secret = new DatabaseSecret(this, role === 'read' ? 'ReadRoleSecret' : 'WriteRoleSecret', {
          username: DATABASE_ROLES[role],
          dbname: DATABASE_NAME,
        });
        secret.applyRemovalPolicy(secretRemoval);
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason:
            'Rotating an application role with the Secrets Manager rotation Lambda needs that Lambda inside the isolated VPC plus an interface endpoint; instead the migrate function re-applies the secret to the role on every deploy, so changing the secret and deploying rotates it.',
        });
        return [role, secret];
      }),
    ) as Record<DatabaseRole, DatabaseSecret>;

    this.cluster = new DatabaseCluster(this, 'Cluster', {
      clusterIdentifier,
      engine: DatabaseClusterEngine.auroraPostgres({ version: ENGINE_VERSION }),
      credentials: Credentials.fromUsername(ADMIN_USERNAME),
      manageMasterUserPassword: true,
      defaultDatabaseName: DATABASE_NAME,
      writer: ClusterInstance.serverlessV2('Writer', { publiclyAccessible: false, autoMinorVersionUpgrade: true }),
      readers: Array.from({ length: props.readers }, (_, index) =>
        ClusterInstance.serverlessV2(`Reader${index + 1}`, { publiclyAccessible: false, scaleWithWriter: index === 0 }),
      ),
      serverlessV2MinCapacity: props.minCapacity,
      serverlessV2MaxCapacity: props.maxCapacity,
      serverlessV2AutoPauseDuration: props.minCapacity === 0 ? props.autoPauseAfter : undefined,
      vpc: this.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      enableDataApi: true,
      storageEncrypted: true,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
      backup: { retention: props.backupRetention },
      cloudwatchLogsExports: ['postgresql'],
      copyTagsToSnapshot: true,
    });
    this.cluster.node.addDependency(postgresLog);
    // The secret RDS created and rotates (its ARN is a cluster attribute).
    this.secret = this.cluster.secret!;

    // A retained cluster keeps its network interfaces in these subnets and its security group:
    // deleting them would fail and leave the stack DELETE_FAILED. Retained together, `cdk destroy`
    // completes and the network goes after the cluster (docs/deploying.md, "Tearing it down").
    if (props.removalPolicy === RemovalPolicy.RETAIN) {
      const network = [
        ...this.vpc.node.findAll(),
        ...['SecurityGroup', 'Subnets'].flatMap((id) => this.cluster.node.tryFindChild(id)?.node.findAll() ?? []),
      ];
      for (const construct of network) {
        if (construct instanceof CfnResource) construct.applyRemovalPolicy(RemovalPolicy.RETAIN);
      }
    }

    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-RDS6',
      reason:
        'Clients use the RDS Data API, which authenticates with the Secrets Manager secret; nobody connects to PostgreSQL directly, so IAM database authentication would be unused.',
    });
    if (!props.deletionProtection) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: 'Deletion protection is on in prod only; dev and staging are disposable and must be removable with cdk destroy.',
      });
    }
  }
}
