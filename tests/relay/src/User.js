// Every model can be refetched through `node(id:)`.
graphql`
  fragment User_user on User @refetchable(queryName: "UserRefetchQuery") {
    id
    __typename
  }
`;
