import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface QueryLimits {
  /** Deepest field nesting allowed (the root fields are depth 1). */
  maxDepth: number;
  /** Budget of the cost model below. */
  maxComplexity: number;
  /** Assumed length of a list field without a literal `first` argument. */
  defaultListSize: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 8,
  maxComplexity: 5000,
  defaultListSize: 20,
};

/** What `measureOperation` needs of a document: its schema and fragments. */
interface MeasureContext {
  getSchema(): GraphQLSchema;
  getFragment(name: string): FragmentDefinitionNode | null | undefined;
}

/**
 * Cost model: every field costs 1 plus its selection's cost, times the list size for lists
 * (its `first` argument — a literal, or a variable's value, or the variable's default — else
 * `defaultListSize`). Small and predictable, so a client can tell why a query was refused.
 * Without `variables` (at validation, before they are known) a variable counts as its default
 * or `defaultListSize`; the request is measured again with its variables before it runs.
 */
export function measureOperation(
  context: MeasureContext,
  operation: OperationDefinitionNode,
  limits: QueryLimits,
  variables?: Readonly<Record<string, unknown>>,
): { depth: number; complexity: number } | undefined {
  const schema = context.getSchema();
  const rootType =
    operation.operation === OperationTypeNode.QUERY
      ? schema.getQueryType()
      : operation.operation === OperationTypeNode.MUTATION
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!rootType) return undefined;
  let deepest = 0;
  const measure = (
    selectionSet: SelectionSetNode,
    parentType: GraphQLCompositeType,
    depth: number,
    visitingFragments: ReadonlySet<string>,
    pageSize?: number,
  ): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          cost += measureField(selection, parentType, depth, visitingFragments, pageSize);
          break;
        case Kind.INLINE_FRAGMENT: {
          const typeName = selection.typeCondition?.name.value;
          const fragmentType = typeName ? schema.getType(typeName) : parentType;
          if (fragmentType && (isObjectType(fragmentType) || isInterfaceType(fragmentType))) {
            cost += measure(
              selection.selectionSet,
              fragmentType,
              depth,
              visitingFragments,
              pageSize,
            );
          }
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = context.getFragment(name);
          // Cycles are reported by graphql's own NoFragmentCycles rule; just stop here.
          if (!fragment || visitingFragments.has(name)) break;
          const fragmentType = schema.getType(fragment.typeCondition.name.value);
          if (fragmentType && (isObjectType(fragmentType) || isInterfaceType(fragmentType))) {
            const visiting = new Set(visitingFragments).add(name);
            cost += measure(fragment.selectionSet, fragmentType, depth, visiting, pageSize);
          }
          break;
        }
      }
    }
    return cost;
  };
  const measureField = (
    field: FieldNode,
    parentType: GraphQLCompositeType,
    depth: number,
    visitingFragments: ReadonlySet<string>,
    pageSize: number | undefined,
  ): number => {
    const fieldDepth = depth + 1;
    if (field.name.value.startsWith('__')) return 0; // introspection is free
    deepest = Math.max(deepest, fieldDepth);
    const definition: GraphQLField<unknown, unknown> | undefined =
      isObjectType(parentType) || isInterfaceType(parentType)
        ? parentType.getFields()[field.name.value]
        : undefined;
    if (!definition || !field.selectionSet) return 1;
    const namedType = getNamedType(definition.type);
    if (!isObjectType(namedType) && !isInterfaceType(namedType)) return 1;
    const isList = isListType(getNullableType(definition.type));
    const pages = definition.args.some((argument) => argument.name === 'first');
    if (pages && !isList) {
      // A connection: its lists (edges, nodes) are as long as its `first`.
      return (
        1 + measure(field.selectionSet, namedType, fieldDepth, visitingFragments, firstOf(field))
      );
    }
    const childCost = measure(field.selectionSet, namedType, fieldDepth, visitingFragments);
    if (!isList) return 1 + childCost;
    return 1 + childCost * (pages ? firstOf(field) : (pageSize ?? limits.defaultListSize));
  };
  const firstOf = (field: FieldNode): number => {
    const argument = field.arguments?.find((candidate) => candidate.name.value === 'first');
    if (argument?.value.kind === Kind.INT) return Math.max(1, Number(argument.value.value));
    if (argument?.value.kind === Kind.VARIABLE) {
      const name = argument.value.name.value;
      const given = variables?.[name];
      if (typeof given === 'number' && Number.isInteger(given)) return Math.max(1, given);
      const declared = operation.variableDefinitions?.find((v) => v.variable.name.value === name);
      if (declared?.defaultValue?.kind === Kind.INT) {
        return Math.max(1, Number(declared.defaultValue.value));
      }
    }
    return limits.defaultListSize;
  };
  const complexity = measure(operation.selectionSet, rootType, 0, new Set());
  return { depth: deepest, complexity };
}

/** The refusals for a measured operation (empty when within the limits). */
export function limitErrors(
  measured: { depth: number; complexity: number },
  limits: QueryLimits,
  nodes: readonly OperationDefinitionNode[],
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const { depth: deepest, complexity } = measured;
  if (deepest > limits.maxDepth) {
    errors.push(
      new GraphQLError(`query is nested ${deepest} levels deep; the limit is ${limits.maxDepth}`, {
        nodes,
        extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
      }),
    );
  }
  if (complexity > limits.maxComplexity) {
    errors.push(
      new GraphQLError(
        `query complexity is ${complexity}; the limit is ${limits.maxComplexity} (ask for fewer fields or smaller pages)`,
        { nodes, extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
      ),
    );
  }
  return errors;
}

/** One validation rule for both limits, run by Apollo on HTTP and by graphql-ws on WebSocket
 *  (variables unknown yet: see measureOperation). */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const measured = measureOperation(context, operation, limits);
      if (!measured) return;
      for (const error of limitErrors(measured, limits, [operation])) context.reportError(error);
    },
  });
}

/** The same limits with the request's variables (`first: $n` counts as $n): for Apollo's
 *  didResolveOperation and graphql-ws's onSubscribe. */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): GraphQLError[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations[0];
  if (!operation) return [];
  const measured = measureOperation(
    { getSchema: () => schema, getFragment: (name) => fragments.get(name) },
    operation,
    limits,
    variables ?? {},
  );
  return measured ? limitErrors(measured, limits, [operation]) : [];
}
