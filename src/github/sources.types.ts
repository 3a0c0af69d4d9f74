/** What the GitHub sources (stars poller, refresh, App installations) report for health and pages. */
export interface SourcesStatus {
  starsPoll: {
    enabled: boolean;
    user?: string;
    lastAt: string | null;
    lastResult: string | null;
    nextAt: string | null;
    /** Set when the poller stopped (e.g. the token was rejected) until an operator acts. */
    pausedReason?: string;
    /** GITHUB_STAR_LISTS: the lists followed, each with the stars it selected at the last walk. */
    lists?: Array<{
      list: string;
      slug?: string;
      parent?: string;
      stars: number;
      missing?: boolean;
    }>;
  };
  refresh: { lastAt: string | null; nextAt: string | null };
  rateLimit: { limit: number; remaining: number; resetAt: string } | null;
  /** When GitHub says the token expires (`github-authentication-token-expiration`), if it did. */
  tokenExpiresAt?: string | null;
  app: { enabled: boolean; installations: number };
}
