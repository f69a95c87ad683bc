"""Trail QR codes and A4 posters that open the field app on a programme.

Others may use: model (deep links, programme titles). Never its routes.
"""
