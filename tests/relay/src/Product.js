// Every model can be refetched through `node(id:)`.
graphql`
  fragment Product_product on Product @refetchable(queryName: "ProductRefetchQuery") {
    id
    __typename
  }
`;
