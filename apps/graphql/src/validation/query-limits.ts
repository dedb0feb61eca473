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

/** One validation rule for both limits, run by Apollo on HTTP and by graphql-ws on WebSocket.
 *  Cost model: every field costs 1 plus its selection's cost, times the list size for lists
 *  (a literal `first` argument when given, else `defaultListSize`). Small and predictable, so a
 *  client can tell why a query was refused. */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const rootType =
        operation.operation === OperationTypeNode.QUERY
          ? schema.getQueryType()
          : operation.operation === OperationTypeNode.MUTATION
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      if (!rootType) return;
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
            1 +
            measure(field.selectionSet, namedType, fieldDepth, visitingFragments, firstOf(field))
          );
        }
        const childCost = measure(field.selectionSet, namedType, fieldDepth, visitingFragments);
        if (!isList) return 1 + childCost;
        return 1 + childCost * (pages ? firstOf(field) : (pageSize ?? limits.defaultListSize));
      };
      const firstOf = (field: FieldNode): number => {
        const argument = field.arguments?.find((candidate) => candidate.name.value === 'first');
        return argument?.value.kind === Kind.INT
          ? Math.max(1, Number(argument.value.value))
          : limits.defaultListSize;
      };
      const complexity = measure(operation.selectionSet, rootType, 0, new Set());
      if (deepest > limits.maxDepth) {
        context.reportError(
          new GraphQLError(
            `query is nested ${deepest} levels deep; the limit is ${limits.maxDepth}`,
            { nodes: [operation], extensions: { code: 'BAD_USER_INPUT' } },
          ),
        );
      }
      if (complexity > limits.maxComplexity) {
        context.reportError(
          new GraphQLError(
            `query complexity is ${complexity}; the limit is ${limits.maxComplexity} (ask for fewer fields or smaller pages)`,
            { nodes: [operation], extensions: { code: 'BAD_USER_INPUT' } },
          ),
        );
      }
    },
  });
}
