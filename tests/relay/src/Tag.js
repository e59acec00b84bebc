// Every model can be refetched through `node(id:)`.
graphql`
  fragment Tag_tag on Tag @refetchable(queryName: "TagRefetchQuery") {
    id
    __typename
  }
`;
