// Every model can be refetched through `node(id:)`.
graphql`
  fragment Category_category on Category @refetchable(queryName: "CategoryRefetchQuery") {
    id
    __typename
  }
`;
