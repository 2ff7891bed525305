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
import { Construct } from 'constructs';

/** Data API on Serverless v2 needs 16.1+, scale-to-zero 16.3+; bump as AWS retires minor versions. */
export const ENGINE_VERSION = AuroraPostgresEngineVersion.VER_16_9;
export const DATABASE_NAME = 'customer_mgmt';

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
  readonly secret: ISecret;
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

    // Created here rather than by the cluster so that a retained cluster keeps its credentials.
    // No fixed name: a deleted secret keeps its name for 7–30 days and would block a redeploy.
    const adminSecret = new DatabaseSecret(this, 'AdminSecret', { username: 'customer_mgmt_admin' });
    adminSecret.applyRemovalPolicy(props.removalPolicy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    Validations.of(adminSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation needs a rotation Lambda inside the VPC plus a Secrets Manager interface endpoint (isolated subnets have no route out), about USD 15/month per environment; tracked as follow-up. The secret is only read by the Data API.',
    });

    this.cluster = new DatabaseCluster(this, 'Cluster', {
      clusterIdentifier,
      engine: DatabaseClusterEngine.auroraPostgres({ version: ENGINE_VERSION }),
      credentials: Credentials.fromSecret(adminSecret),
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
    // The attachment: its ARN is the secret's, and depending on it waits until the secret names the cluster.
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
