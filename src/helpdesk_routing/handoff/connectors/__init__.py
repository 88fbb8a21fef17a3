"""Connectors that hand a conversation to an external helpdesk: Zendesk and Gorgias.

They need the optional extra ``connectors`` (``httpx``), imported only when a connector
is created; without it the constructor raises
:class:`~helpdesk_routing.errors.MissingExtra`. The routing core never imports them::

    from helpdesk_routing.handoff.connectors.zendesk import ZendeskConnector
    from helpdesk_routing.handoff.connectors.gorgias import GorgiasConnector
"""
