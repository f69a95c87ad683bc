"""Trail QR codes and A4 posters that open the field app on a programme."""
