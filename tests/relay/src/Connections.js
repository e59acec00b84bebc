// `@connection` on root connections and on nested ones, paginated with `usePaginationFragment`.
graphql`
  fragment Connections_query on Query
  @refetchable(queryName: "ConnectionsPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    products(first: $count, after: $cursor, orderBy: [{ name: ASC }])
      @connection(key: "Connections_products", filters: ["orderBy"]) {
      totalCount
      edges {
        node {
          id
          name
          categoryId
        }
      }
    }
  }
`;

graphql`
  fragment Connections_category on Category
  @refetchable(queryName: "ConnectionsCategoryProductsQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 5 }, cursor: { type: "String" }) {
    name
    products(first: $count, after: $cursor) @connection(key: "Connections_category_products") {
      edges {
        node {
          id
          ...Connections_product
        }
      }
    }
  }
`;

graphql`
  query ConnectionsQuery($id: ID!) {
    category(id: $id) {
      ...Connections_category
    }
    ...Connections_query
  }
`;

graphql`
  fragment Connections_product on Product
  @refetchable(queryName: "ConnectionsProductReviewsQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 3 }, cursor: { type: "String" }) {
    reviews(first: $count, after: $cursor) @connection(key: "Connections_product_reviews") {
      edges {
        node {
          id
          rating
        }
      }
    }
  }
`;
