"""The smart assistant (智能客服): answers customers from the knowledge base and hands
what it should not handle to a human agent in the right queue (docs/assistant.md)."""
