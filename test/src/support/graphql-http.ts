export interface GraphqlError {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphqlResponse<T> {
  /** The HTTP status. */
  status: number;
  data?: T | null;
  errors?: GraphqlError[];
}

/** A GraphQL request failed: carries the answer's first error code for assertions. */
export class GraphqlRequestError extends Error {
  constructor(
    readonly response: GraphqlResponse<unknown>,
    readonly code: string | undefined,
  ) {
    super(
      `GraphQL ${code ?? 'error'} (HTTP ${response.status}): ` +
        (response.errors?.map((e) => e.message).join('; ') ?? 'no data'),
    );
  }
}

/** One POST to /graphql with `Authorization: Bearer <apiKey>` (none when apiKey is undefined);
 *  returns the answer as it came, errors included. */
export async function graphqlRaw<T>(
  url: string,
  apiKey: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T | null; errors?: GraphqlError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`non-JSON answer from ${url} (HTTP ${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, ...body };
}

/** Like graphqlRaw, but the data or a GraphqlRequestError. */
export async function graphql<T>(
  url: string,
  apiKey: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await graphqlRaw<T>(url, apiKey, query, variables);
  if (response.errors?.length || response.data === undefined || response.data === null) {
    throw new GraphqlRequestError(response, response.errors?.[0]?.extensions?.code);
  }
  return response.data;
}

/** The error code a failing request answered with (the test fails if it succeeded). */
export async function graphqlErrorOf(
  url: string,
  apiKey: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ code: string | undefined; message: string; response: GraphqlResponse<unknown> }> {
  const response = await graphqlRaw<unknown>(url, apiKey, query, variables);
  const first = response.errors?.[0];
  if (!first) {
    throw new Error(`expected an error, got ${JSON.stringify(response.data)}`);
  }
  return { code: first.extensions?.code, message: first.message, response };
}
