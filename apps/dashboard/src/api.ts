import { createClient, type Client } from 'graphql-ws';

const HTTP_URL = `${window.location.origin}/graphql`;
const WS_URL = HTTP_URL.replace(/^http/, 'ws');

/** A GraphQL error with the server's code (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, ...). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** One operation over HTTP with the admin key as Bearer. Any error rejects with its code. */
export async function gql<T>(
  apiKey: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(HTTP_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('the server cannot be reached', 'NETWORK');
  }
  let body: GraphQLBody<T>;
  try {
    body = (await response.json()) as GraphQLBody<T>;
  } catch {
    throw new ApiError(`the server answered HTTP ${response.status} without JSON`, 'HTTP_ERROR');
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code ?? 'ERROR');
  if (!body.data) throw new ApiError('the server answered no data', 'ERROR');
  return body.data;
}

/** What to show a person for a failed call: the sign-in page explains a refused key. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'UNAUTHENTICATED':
        return 'This key was refused: it is not the admin key of this server.';
      case 'FORBIDDEN':
        return 'This is a user key: the dashboard needs the admin key (config adminApiKey).';
      default:
        return `${error.message} (${error.code})`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

/** The graphql-ws client for subscriptions, authenticated by connection_init like HTTP. */
export function createWsClient(apiKey: string): Client {
  return createClient({
    url: WS_URL,
    connectionParams: { authorization: `Bearer ${apiKey}` },
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
  });
}
