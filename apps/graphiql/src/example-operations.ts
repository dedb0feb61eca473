/** What the page opens with when the URL names no query: buy a number, then watch its code. */
export const EXAMPLE_OPERATIONS = `# numbroker: put your API key in the field above (or open /graphql?key=...).
#
# 1. Run "Buy" (pick it with the play button): the order comes back ACTIVE with a number.
# 2. Run "Codes": a subscription; the code appears here when the SMS arrives.

mutation Buy {
  buyNumber(input: { service: "telegram", country: "RU" }) {
    id
    status
    phoneNumber
    price { amount currency }
    expiresAt
  }
}

# Only one mobile operator's numbers (offers list their operator; unknown: BAD_USER_INPUT).
mutation BuyFromOperator {
  buyNumber(input: { service: "telegram", country: "RU", operator: "mts" }) {
    id
    status
    provider
    operator
    phoneNumber
    price { amount currency }
  }
}

subscription Codes {
  smsReceived {
    eventId
    code
    text
    order { id phoneNumber status }
  }
}

query Me {
  me { id name balance { amount currency } held { amount currency } }
  orders(first: 5) { nodes { id status service country phoneNumber smsCode } }
}
`;
