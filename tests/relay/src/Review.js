// Every model can be refetched through `node(id:)`.
graphql`
  fragment Review_review on Review @refetchable(queryName: "ReviewRefetchQuery") {
    id
    __typename
  }
`;
