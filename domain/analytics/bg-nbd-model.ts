/**
 * One customer's repeat-purchase history, in the papers' notation and in weeks:
 * `x` repeat transactions (transactions after the first), `tx` the time of the last one and `T` the time
 * to the end of the observation, both measured from the first purchase (tx = 0 when x = 0).
 */
export interface RepeatHistory {
  readonly x: number;
  readonly tx: number;
  readonly T: number;
}

/**
 * BG/NBD parameters (Fader, Hardie & Lee 2005): while alive a customer buys at a Poisson rate λ ~ Gamma(r, α)
 * (α in weeks) and, after each purchase, drops out with probability p ~ Beta(a, b).
 */
export interface BgNbdParameters {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}
