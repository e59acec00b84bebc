// Every model can be refetched through `node(id:)`.
graphql`
  fragment OrderItem_orderItem on OrderItem @refetchable(queryName: "OrderItemRefetchQuery") {
    id
    __typename
  }
`;
