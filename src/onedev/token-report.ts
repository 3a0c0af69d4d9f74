/** What a token check found: whether the token works, and what it lets Starbridge do. */
export interface TokenReport {
  ok: boolean;
  summary: string;
  can: string[];
  cannot: string[];
  /** Rights that could not be tested without changing something, and why. */
  unchecked?: string[];
  /** Which calls the verdict rests on. */
  how?: string;
}
