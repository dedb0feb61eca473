/** Who is calling. The config's admin key is an admin with no wallet of its own; a user key
 *  belongs to one user, who may also be flagged admin in the database. */
export type Viewer =
  | { kind: 'admin'; id: 'admin'; name: 'admin'; isAdmin: true; rateLimitKey: string }
  | {
      kind: 'user';
      id: string;
      name: string;
      isAdmin: boolean;
      rateLimitKey: string;
      /** The API key row this caller authenticated with. */
      keyId: string;
    };

export type UserViewer = Extract<Viewer, { kind: 'user' }>;
