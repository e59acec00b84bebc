// Every model can be refetched through `node(id:)`.
graphql`
  fragment Order_order on Order @refetchable(queryName: "OrderRefetchQuery") {
    id
    __typename
  }
`;
