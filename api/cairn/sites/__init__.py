"""Monitored sites: the places a programme's visitors return to."""
