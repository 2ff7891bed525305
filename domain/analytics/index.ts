/**
 * Customer analytics maths: pure functions, no I/O. Summaries from orders → BG/NBD and Gamma-Gamma fits → per-customer
 * scores (P(alive), expected transactions, order value, CLV, churn risk), RFM segments, cohorts and holdout checks.
 * See docs/analytics-maths.md for the models, conventions and the CDNOW validation.
 */
export type { BgNbdParameters, RepeatHistory } from './bg-nbd-model.js';
export { bgNbdLogLikelihood, groupHistories, type GroupedHistories } from './bg-nbd-likelihood.js';
export { fitBgNbd, type BgNbdFit } from './bg-nbd-fit.js';
export {
  expectedTransactions,
  expectedTransactionsIfAlive,
  expectedTransactionsOfNewCustomer,
  probabilityAlive,
  probabilityNoTransactions,
} from './bg-nbd-predict.js';
export {
  expectedAverageOrderValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  type GammaGammaFit,
  type GammaGammaParameters,
  type RepeatSpend,
} from './gamma-gamma.js';
export { customerLifetimeValue, DEFAULT_CLV_OPTIONS, discountedTransactionsIfAlive, WEEKS_PER_MONTH, type ClvOptions } from './clv.js';
export {
  CHURN_RISK_BANDS,
  churnRiskBand,
  churnRiskScore,
  DEFAULT_CHURN_RISK_OPTIONS,
  suggestedCommand,
  type ChurnRiskBand,
  type ChurnRiskOptions,
  type ChurnRiskThresholds,
} from './churn-risk.js';
export { rfmCutPoints, rfmInputOf, rfmScore, scoreRfm, type RankKey, type RfmCutPoints, type RfmInput, type RfmScore } from './rfm.js';
export { RFM_SEGMENT_MAP, RFM_SEGMENTS, rfmSegment, type Quintile, type RfmSegment } from './rfm-segments.js';
export { summarisePurchases, transactionsBetween, utcDay, type AnalyticsOrder, type CustomerSummary } from './customer-summary.js';
export { evaluateHoldout, type HoldoutCustomer, type HoldoutEvaluation, type HoldoutGroup } from './holdout.js';
export { cohortRetention, type CohortRow } from './cohorts.js';
export { fitModels, fitOnSample, fnv1a, sampleByCustomerId, type ModelFits, type ModelInput } from './fit-models.js';
export {
  DEFAULT_HORIZON_WEEKS,
  scoreCustomers,
  type CustomerScore,
  type CustomerToScore,
  type ModelParameters,
  type ScoringOptions,
} from './score-customers.js';
export { rocAuc } from './roc-auc.js';
export { pearsonCorrelation } from './correlation.js';
export { logGamma, gammaSign } from './log-gamma.js';
export { digamma } from './digamma.js';
export { hypergeometric2F1, hypergeometricSeriesTail } from './hypergeometric.js';
export { minimiseBfgs, type Minimum, type MinimiseOptions, type Objective } from './minimise-bfgs.js';
